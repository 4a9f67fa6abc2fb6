"""A property-based fuzz of the REST API from its own OpenAPI document (schemathesis): requests
generated for every operation, fitting the document and not, against the app (its WSGI app, a real
database). No answer may be a server error or break the document's schema for its status.

The secretary's token reaches every operation and every write. A few examples per operation keep
the run short; the operations are split in two halves so that both test workers share it.
(schemathesis's own pytest loader does not run on pytest 9.2, so operations are walked here.)
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from conftest import bearer

EXAMPLES = 8
HALVES = 2


@pytest.mark.parametrize("half", range(HALVES))
def test_no_request_breaks_the_api_or_its_document(app, half):
    token = bearer(app.test_client(), "secretary")
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers=token)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.label)
    assert len(operations) > 60, "the document lists every API operation"
    failures = {}
    for operation in operations[half::HALVES]:
        cases = st.one_of(operation.as_strategy(), operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            case.call_and_validate(headers=token, checks=[not_a_server_error, response_schema_conformance])

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:  # every operation is tried; all are reported
            failures[operation.label] = str(failure)
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
