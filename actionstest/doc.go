// Package actionstest helps host applications test their own business
// rules, and their own stores, in one line per rule, as testing/fstest and
// testing/slogtest help implementers of file systems and log handlers.
//
// # Quick start
//
// Compile the rules as the application does, then state what they must
// decide:
//
//	var rules = actions.MustCompile[WorkPackage](definitions)
//
//	func TestRules(t *testing.T) {
//		member := actions.Actor{ID: "alice", Roles: []string{"Member"}, Permissions: []string{"work"}}
//		task := WorkPackage{Type: "Task", Status: "New", Priority: 2}
//
//		actionstest.Applicable(t, rules, task, member, "start", "close")
//		actionstest.IsApplicable(t, rules, "start", task, member)
//		actionstest.NotApplicable(t, rules, "close", epicWithOpenChildren, admin, actions.ReasonCondition)
//		actionstest.Changes(t, rules, "start", task, member, []actions.FieldChange{
//			{Field: "status", Old: "New", New: "In progress"},
//			{Field: "assignee", Old: "", New: "alice"},
//		})
//		actionstest.Violations(t, rules, "progress", at80, member, []actions.Violation{
//			{Field: "percentageDone", Rule: "lte"},
//		})
//	}
//
// Every function takes a [testing.TB], marks itself as a helper, and
// reports a mismatch with t.Errorf, so that one test can check many rules;
// only a misuse (nil rules, an unreadable table) stops the test with
// t.Fatalf.
//
// # Which actions apply
//
// [Applicable] compares the set of applicable actions with the expected
// ids, in any order, and prints a diff (-want +got); for each expected
// action that is missing it adds the resolver's reasons. [IsApplicable]
// and [NotApplicable] check one action. When an action is unexpectedly not
// applicable, the failure shows why, down to the failing clauses of its
// condition and the values they read:
//
//	action "start" is not applicable for actor "alice", want applicable:
//	    - condition is false:
//	        Priority >= 2 is false: Priority = 1
//
// NotApplicable can also name the kinds of reasons expected
// ([actions.ReasonPermission], [actions.ReasonState],
// [actions.ReasonCondition], [actions.ReasonPolicy]), so that a test of
// "nobody may close an epic with open children" cannot pass only because
// the actor lacks a permission.
//
// The rules are an *[actions.Catalog] or an *[actions.Engine] (see
// [Rules]). A catalog is resolved by an engine over an empty in-memory
// store, built for the call, for the placeholder object id [ObjectID]. To
// test an execution policy (an action allowed once), execute the action on
// an engine for the object stored under ObjectID, and pass the engine.
//
// # Apply and compare
//
// [Changes] and [Violations] apply an action with [actions.Catalog.Apply],
// the pure core of an execution: nothing is stored and applicability is
// not checked. Changes compares the fields that changed (JSON name, old and
// new value); Violations compares the validation failures of the result by
// field and rule (and by parameter and message when the expectation gives
// them).
//
// # Decision tables
//
// [RunTable] runs a decision table, a JSON file under the package's
// testdata/, each case as a subtest named after it:
//
//	{
//	  "actors": {
//	    "alice": {"id": "alice", "roles": ["Member"], "permissions": ["work"]}
//	  },
//	  "cases": [
//	    {
//	      "name": "a member may start work on a new task",
//	      "object": {"subject": "Write docs", "type": "Task", "status": "New"},
//	      "actor": "alice",
//	      "applicable": ["start", "close"]
//	    },
//	    {
//	      "name": "make progress on 80% fails on percentageDone",
//	      "object": {"subject": "Write docs", "type": "Task", "status": "In progress", "percentageDone": 80},
//	      "actor": "alice",
//	      "apply": "progress",
//	      "changes": [
//	        {"field": "percentageDone", "old": 80, "new": 105}
//	      ],
//	      "violations": [
//	        {"field": "percentageDone", "rule": "lte", "message": "percentageDone must be at most 100"}
//	      ]
//	    }
//	  ]
//	}
//
// A case has a name (unique), an object (the JSON of T, decoded strictly:
// an unknown field is an error), an actor (a name from "actors", an inline
// {"id", "name", "roles", "permissions", "attributes"}, or none), and what
// to check:
//
//   - "applicable": the ids of the applicable actions, in any order ([] for
//     none).
//   - "apply": an action to execute, as Engine.Execute would but without a
//     store, with its "inputs" (a JSON object, decoded as a client's body
//     is). If the action is not applicable, "error" is the error Execute
//     would return (the kit asks Engine.Check, which is how Execute decides) ("actions: forbidden: ..." or "actions: action ... not
//     applicable: ..." with the failing clauses). Otherwise "changes" are the
//     fields it changes, compared as JSON values, and "violations" the
//     validation failures of the result (by field and rule, and message when
//     given), in any order.
//
// The file is read strictly too: a misspelt key fails the whole table.
//
// # Updating tables
//
// With the option [Update](true), RunTable checks nothing: it rewrites the
// expectations of every case from the current behaviour (a case with
// neither "applicable" nor "apply" gets "applicable") and writes the file
// back in a stable format, so that a change of the rules shows up in review
// as a diff of the table. The package registers no flag; wire it to the
// customary one:
//
//	var update = flag.Bool("update", false, "rewrite golden files")
//
//	func TestDecisions(t *testing.T) {
//		actionstest.RunTable(t, rules, "testdata/decisions.json", actionstest.Update(*update))
//	}
//
// then run go test -update and review the diff. Writing a new case takes a
// name, an object and an actor; -update fills in the rest.
//
// # Stores
//
// [TestStore] checks an [actions.Store] implementation against what the
// engine relies on: versions (a stale, missing or future version is a
// conflict that changes nothing), Create of an existing id, Load of an
// unknown one, a Save without a record that records nothing, isolation of
// the values it returns and receives (through a mutate hook, required when
// T holds a slice, a map or a pointer), concurrent saves (exactly one winner
// per version, and no lost update: a version always comes with the value
// saved with it). If the store is also an [actions.Journal], it checks the
// records Save writes (their Seq, unique ids), ordering and paging, the
// batched policy lookup and Finish; if it is an [actions.Pruner], that
// retention never forgets what the execution policies read. Whatever the
// store, it checks ids that are not plain text (a NUL byte, invalid UTF-8),
// which some databases cannot keep: kept as they are, or refused with an
// error that claims no conflict and no missing object, and never mistaken
// for another id. A host writing
// a SQL or Redis store proves with one call that it behaves like
// [actions.MemoryStore].
//
// # Time
//
// Rules that call now() read the clock of the catalog. Compile the
// catalog under test with a fixed clock, actions.WithClock(...), so that
// tables and assertions do not depend on the day they run.
package actionstest
