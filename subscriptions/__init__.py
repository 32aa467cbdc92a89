"""Subscription wiring outside the schema: the publisher a pipeline uses to push results to subscribers."""
