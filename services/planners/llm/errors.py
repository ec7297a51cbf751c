"""What a person reads when the AI service fails, and how each SDK error maps to it (and to a metric label)."""

import logging

import openai

from services.planners.base import PlannerError

log = logging.getLogger(__name__)

BUSY = 'The AI service is busy right now. Please try again in a few minutes.'
TIMED_OUT = 'The AI service took too long to answer. Please try again in a few minutes.'
UNAVAILABLE = 'The AI service cannot be reached right now. Please try again later.'
SETUP = "The AI planner is not set up correctly (its API key or model was refused). Please tell the site's operator."
REFUSED = 'The AI service declined this request. Try rephrasing your preferences.'
SERVICE_ERROR = 'The AI service had a problem. Please try again later.'
UNREADABLE = 'The AI planner gave an answer that could not be read. Please try again.'
OUT_OF_ROOM = 'The AI planner ran out of room before finishing. Try fewer interests or a shorter timeframe.'
TOO_MANY_STEPS = 'The AI planner could not finish its plan in the steps allowed. Please try again.'
NOTHING_VALID = (
    'The AI planner could not put together a plan from real events that fits your dates and budget. '
    'Try a longer timeframe, other interests or a higher budget.'
)


def error_kind(error: openai.OpenAIError) -> str:
    """A low-cardinality label for the metrics: rate_limit, timeout, connection, status_500..."""
    match error:
        case openai.RateLimitError():
            return 'rate_limit'
        case openai.APITimeoutError():
            return 'timeout'
        case openai.APIConnectionError():
            return 'connection'
        case openai.APIStatusError():
            return f'status_{error.status_code}'
    return 'other'


def user_error(error: openai.OpenAIError) -> PlannerError:
    """A message a person can act on; the technical detail goes to the log only (never the key)."""
    status = getattr(error, 'status_code', None)
    log.warning(
        'OpenAI request failed: %s status=%s code=%s request_id=%s: %s',
        type(error).__name__,
        status,
        getattr(error, 'code', None),
        getattr(error, 'request_id', None),
        str(error)[:300],
    )
    match error:
        case openai.RateLimitError():
            return PlannerError(BUSY)
        case openai.APITimeoutError():
            return PlannerError(TIMED_OUT)
        case openai.APIConnectionError():
            return PlannerError(UNAVAILABLE)
        case openai.AuthenticationError() | openai.PermissionDeniedError() | openai.NotFoundError():
            return PlannerError(SETUP)
        case openai.BadRequestError() | openai.UnprocessableEntityError():
            return PlannerError(REFUSED)
        case openai.InternalServerError():
            return PlannerError(UNAVAILABLE)
    return PlannerError(SERVICE_ERROR)
