"""Property-based tests of the API against its own OpenAPI schema (schemathesis).

Requests generated from /api/openapi.json, valid and invalid, go through the whole
Django stack in process (WSGI), each operation in turn. Every response must be
documented (status code, content type, a body valid against the schema), and none may
be a 5xx; invalid input must be refused with a 4xx.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

EXAMPLES = 50  # per operation and mode
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure is reproducible
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_schema(seeded, make_article):
    make_article(title="網絡安全新規", tags=["網絡安全", "Regulation"])
    make_article(title="Draft", status="draft", tags=["Secret"])
    # As Django's test client does: the test's transaction outlives each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def operations(schema):
    found = [result.ok() for result in schema.get_all_operations()]
    assert {operation.path for operation in found} == {
        "/api/articles",
        "/api/articles/{slug}",
        "/api/tags",
        "/api/search",
    }
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_schema(api_schema, mode):
    for operation in operations(api_schema):
        if mode == GenerationMode.NEGATIVE and not any(operation.iter_parameters()):
            continue  # nothing to get wrong (GET /api/tags)

        @given(case=operation.as_strategy(generation_mode=mode))
        @BOUNDED
        def check(case):
            case.call_and_validate()

        check()
