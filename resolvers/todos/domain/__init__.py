"""The users/todos domain: models, errors, ports and services. It never sees an AppSync event or boto3."""
