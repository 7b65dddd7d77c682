"""The rules engines: durable-rules in one module, the plain-Python oracle in another."""
