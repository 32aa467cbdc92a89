"""Lambda handlers of the stack's own custom resources (each packaged like an app function, as its own unit)."""
