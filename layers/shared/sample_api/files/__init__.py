"""Users' files: every object lives under ``users/<Cognito sub>/``. Small files go through the
gateway's S3 integration (template.yaml); large ones are uploaded to a presigned URL."""
