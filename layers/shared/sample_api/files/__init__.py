"""Users' files: every object lives under ``users/<Cognito sub>/``. Small files go through the
gateway's S3 integration (api/openapi.yaml); large ones are uploaded with a presigned POST whose
policy bounds their size, then an S3 notification has them processed and recorded."""
