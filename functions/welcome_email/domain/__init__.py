"""What a welcome is, independent of streams, SES and Powertools."""
