-- The inputs of an execution (actions.Execution.Inputs), as JSON: what the
-- actor gave, for the audit trail. NULL when the action had none.
ALTER TABLE executions ADD COLUMN inputs jsonb;
