"""In-memory fakes of the backend's ports, with the storage semantics the services rely on."""
