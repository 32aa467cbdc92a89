"""Making thumbnails of one upload, independent of S3, SQS and Pillow."""
