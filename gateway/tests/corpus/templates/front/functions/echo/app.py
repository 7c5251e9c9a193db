"""Returns the proxy event it was given as the JSON body, so a case can read what Lambda saw."""

import json


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event), "isBase64Encoded": False}
