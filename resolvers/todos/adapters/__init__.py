"""Adapters: the only code that talks to AWS (boto3). The bootstrap imports them on first use."""
