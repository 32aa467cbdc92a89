"""The users/todos/files Lambda: a Powertools AppSyncResolver app (handler -> domain services -> adapters)."""
