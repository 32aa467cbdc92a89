"""AppSync's realtime side: subscription semantics and the WebSocket protocols that carry them."""
