"""The post-photos Lambda function: upload URLs for the photo of a blog post (`createPostImageUploadUrl`)."""
