// Package compare runs the catalogs of the SDK's own benchmarks through four
// engines side by side: actionable (actions.Compile and Engine.Resolve), expr
// directly (the floor), cel-go and govaluate.
//
// It is a module of its own, so that cel-go and govaluate never become
// dependencies of the SDK. Run it from this directory:
//
//	go test -run '^$' -bench . -count 8 | tee new.txt && benchstat new.txt
//
// # Catalogs
//
// The non-discriminating catalog has 10, 100 or 1,000 actions whose
// conditions read
//
//	Status == "<s>" && Type in ["<t1>", "<t2>"] && Priority >= 2 && "manager" in Actor.Roles
//
// over 5 statuses and 4 types: one action in ten applies to the bench ticket.
// The discriminating catalog has 1,000 actions whose conditions open with
// one of 50 statuses,
//
//	Status == "s_<i%50>" && Priority >= 2 && "manager" in Actor.Roles
//
// so that 2 % apply. Each engine evaluates every action's condition for one
// object and collects the applicable actions in position order; TestAgree
// checks that the four engines and a plain Go oracle give the same lists.
package compare
