"""One module per `studio` verb; each has `register(subparsers)` and sets `run`."""
