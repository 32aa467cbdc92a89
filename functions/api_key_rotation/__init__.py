"""The api-key-rotation function: a new API key before the published one expires, published to the site."""
