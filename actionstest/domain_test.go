package actionstest_test

import "github.com/actionable-go/actionable/actions"

// Task is the object type of the kit's own tests.
type Task struct {
	Title    string   `json:"title" validate:"required"`
	Status   string   `json:"status"`
	Type     string   `json:"type"`
	Priority int      `json:"priority" validate:"gte=1,lte=5"`
	Assignee string   `json:"assignee"`
	Progress int      `json:"progress" validate:"gte=0,lte=100"`
	Tags     []string `json:"tags,omitempty"`
}

var taskRules = []actions.Definition{
	{
		ID: "start", Name: "Start work", Position: 1, Permission: "edit",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"new"}, To: "in progress"},
		Condition: `Priority >= 2`,
		Changes:   []actions.Change{{Field: "assignee", Expr: "Actor.ID"}},
	},
	{
		ID: "progress", Name: "Make progress", Position: 2, Permission: "edit",
		Workflow: &actions.Workflow{Field: "status", From: []string{"in progress"}},
		Changes:  []actions.Change{{Field: "progress", Expr: "Progress + 50"}},
	},
	{
		ID: "close", Name: "Close", Position: 3, Permission: "edit",
		Workflow:  &actions.Workflow{Field: "status", From: []string{"new", "in progress"}, To: "closed"},
		Condition: `Type != "Epic" || "manager" in Actor.Roles`,
	},
	{
		ID: "escalate", Name: "Escalate", Position: 4, Policy: actions.Once,
		Condition: `Status != "closed" && Priority < 5`,
		Changes:   []actions.Change{{Field: "priority", Expr: "Priority + 1"}},
	},
	{
		ID: "clear", Name: "Clear", Position: 5, Permission: "edit",
		Changes: []actions.Change{{Field: "title", Expr: `""`}, {Field: "assignee", Expr: `""`}},
		PostConditions: []actions.PostCondition{
			{Expr: `Assignee != "" || Status == "new"`, Field: "assignee", Message: "a started task needs an assignee"},
		},
	},
	{
		ID: "archive", Name: "Archive", Position: 6, Reserved: true,
		Workflow: &actions.Workflow{Field: "status", From: []string{"closed"}, To: "archived"},
	},
	{
		ID: "rename", Name: "Rename", Position: 7, Reserved: true,
		Inputs:  []actions.Input{{Name: "title", Type: actions.InputString, Required: true, Validate: "min=3"}},
		Changes: []actions.Change{{Field: "title", Expr: "Input.title"}},
	},
}

var (
	alice = actions.Actor{ID: "alice", Roles: []string{"developer"}, Permissions: []string{"edit"}}
	mona  = actions.Actor{ID: "mona", Roles: []string{"manager"}, Permissions: []string{"edit"}}
	gus   = actions.Actor{ID: "gus"}

	newTask     = Task{Title: "Fix login", Status: "new", Type: "Bug", Priority: 2}
	lowTask     = Task{Title: "Tidy up", Status: "new", Type: "Task", Priority: 1}
	startedTask = Task{Title: "Fix login", Status: "in progress", Type: "Bug", Priority: 2, Assignee: "alice", Progress: 80}
	epic        = Task{Title: "Payments", Status: "new", Type: "Epic", Priority: 3}
)

func taskCatalog() *actions.Catalog[Task] { return actions.MustCompile[Task](taskRules) }
