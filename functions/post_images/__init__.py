"""Post images: each thumbnail manifest becomes the post's image (`attachPostImage`, IAM-signed)."""
