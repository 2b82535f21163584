"""Images on an S3-compatible object store (django-storages and boto3), as sites on
several servers keep them: tested against moto's S3 server on 127.0.0.1, a real
server speaking the protocol, not a mock of the client."""

import json
import os
import subprocess
import sys

import pytest
from django.core.files.storage import storages

from articles import images
from devtools.services import start_s3, stop
from tests.helpers import card_crops_before_and_after_moving_the_focal_point, picture_bytes

BUCKET = "hkai-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    process, endpoint = start_s3()
    yield endpoint
    stop(process)


@pytest.fixture
def s3_storage(s3_endpoint, settings, monkeypatch):
    """The default storage as settings.py configures it from AWS_* variables."""
    import boto3

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    result = subprocess.run(
        [sys.executable, "-c", "import json, hkai_site.settings as s; "
         "print(json.dumps([s.STORAGES['default'], "
         "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']]))"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
        env={**os.environ, "AWS_STORAGE_BUCKET_NAME": BUCKET, "AWS_S3_ENDPOINT_URL": s3_endpoint,
             "AWS_S3_REGION_NAME": "us-east-1", "DJANGO_SECRET_KEY": "k" * 40},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    configured, img_src = json.loads(result.stdout)
    # Pages may load images from the store: the content security policy says so.
    assert img_src == ["'self'", "data:", s3_endpoint]
    assert configured["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {**settings.STORAGES, "default": configured}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_uploads_and_renditions_go_to_the_bucket(s3_storage, s3_endpoint, make_article, client):
    image = images.ingest(picture_bytes((1300, 900)), alt_text="In the bucket")
    image.save()
    keys = {item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {image.name, *(r["name"] for r in image.renditions)} == keys
    head = s3_storage.head_object(Bucket=BUCKET, Key=image.renditions[0]["name"])
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert head["ContentType"] == "image/avif"
    # Pages link to the store, and the files there are the renditions.
    article = make_article(lead_image=image)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f"{s3_endpoint}/{BUCKET}/images/" in page
    assert storages["default"].open(image.name).read().startswith(b"\xff\xd8")


def test_the_same_upload_twice_writes_nothing_new(s3_storage):
    data = picture_bytes((800, 600))
    first = images.ingest(data, alt_text="Once")
    before = {i["Key"]: i["ETag"] for i in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    second = images.ingest(data, alt_text="Twice")
    after = {i["Key"]: i["ETag"] for i in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert before == after and first.name == second.name


def test_recropping_reads_the_original_back_from_the_bucket(s3_storage):
    before, after = card_crops_before_and_after_moving_the_focal_point((2400, 800))
    assert before.isdisjoint(after)
    keys = {item["Key"] for item in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert after <= keys
