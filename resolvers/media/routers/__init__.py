"""Powertools routers, one per GraphQL type; each resolver is named after its field in snake_case."""
