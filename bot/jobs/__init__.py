"""Durable jobs: their kinds, the queue that stores them and the worker that runs them."""
