"""The Responses API tool-call loop: one request per turn, tool calls answered, the answer checked.

Turns are capped (`tool_choice="none"` from the last tool turn on, then room for one JSON retry and one
repair), every response's status is checked, and an `incomplete` turn with nothing usable is asked again.
"""

import logging
from typing import Any

import openai
from openai.types.responses import Response, ResponseFunctionToolCall

from models.catalog import EventPublic
from models.generation import Bundle
from services import metrics
from services.catalog import queries
from services.database import in_db
from services.planners import grounding
from services.planners.base import PlanContext, PlannerError
from services.planners.llm import errors, prompts
from services.planners.llm.answer import ANSWER_FORMAT, BadAnswer, candidates, describe, parse_answer, with_cover
from services.planners.llm.client import LLMClient
from services.planners.llm.conversation import Conversation, final_text, has_usable_output, resendable, usage_of
from services.planners.llm.scope import MIN_EVENTS_PER_BUNDLE, Scope
from services.planners.llm.tools import TOOLS, CatalogTools
from services.planners.llm.wording import count, error_output
from settings import settings

log = logging.getLogger(__name__)

# Room for the JSON-retry turn and the repair turn after the tool turns are used up.
EXTRA_TURNS = 2


class ToolLoop:
    def __init__(self, client: LLMClient, scope: Scope, context: PlanContext, conversation: Conversation) -> None:
        self._client = client
        self._scope = scope
        self._context = context
        self._conversation = conversation
        self._tools = CatalogTools(scope, context)

    async def run(self) -> list[Bundle]:
        while True:
            response = await self._next_response()
            self._conversation.items.extend(resendable(response.output))
            calls = [item for item in response.output if isinstance(item, ResponseFunctionToolCall)]
            if calls:
                await self._answer_calls(calls)
            else:
                bundles = await self._conclude(response)
                if bundles is not None:
                    return bundles
            await self._context.save_state(self._conversation.to_state())

    async def _next_response(self) -> Response:
        """A usable response; an `incomplete` one without anything usable is asked for once more."""
        for attempt in range(2):
            response = await self._create()
            status = response.status
            if status == 'completed':
                return response
            if status != 'incomplete':  # failed, cancelled, or a background status we never asked for
                log.warning('response %s ended with status %s: %s', response.id, status, response.error)
                raise PlannerError(errors.SERVICE_ERROR)
            reason = getattr(response.incomplete_details, 'reason', None)
            log.warning('response %s incomplete (%s)', response.id, reason)
            if reason == 'content_filter':
                raise PlannerError(errors.REFUSED)
            if has_usable_output(response.output):
                return response  # a cut-off answer goes through the JSON check, which asks again
            if attempt == 0:
                await self._context.report('The AI planner ran out of room; trying that step again')
        raise PlannerError(errors.OUT_OF_ROOM)

    async def _create(self) -> Response:
        conversation = self._conversation
        max_turns = settings.openai_max_turns
        if conversation.turns >= max_turns + EXTRA_TURNS:
            raise PlannerError(errors.TOO_MANY_STEPS)
        last_tool_turn = conversation.turns >= max_turns - 1
        options: dict[str, Any] = {'store': False}
        if settings.openai_encrypted_reasoning:
            options['include'] = ['reasoning.encrypted_content']
        try:
            response = await self._client.create_response(
                model=settings.openai_model,
                instructions=prompts.INSTRUCTIONS,
                tool_choice='none' if last_tool_turn else 'auto',
                parallel_tool_calls=True,
                reasoning={'effort': settings.openai_reasoning_effort},
                # Already JSON-ready: sent as they are. Passed as typed arguments, the SDK walks them again on
                # every turn, on the event loop; with 200 generations in flight that was most of the loop's
                # time (bench/bench_inflight.py). The request on the wire is the same.
                extra_body={'input': list(conversation.items), 'tools': TOOLS, 'text': {'format': ANSWER_FORMAT}},
                **options,
            )
        except openai.OpenAIError as error:
            metrics.llm_errors.labels(kind=errors.error_kind(error)).inc()
            raise errors.user_error(error) from None
        except ValueError as error:  # a 200 whose body is not JSON: the SDK lets the decoder's error through
            metrics.llm_errors.labels(kind='malformed_response').inc()
            log.warning('unreadable response body from the AI service: %s', error)
            raise PlannerError(errors.SERVICE_ERROR) from None
        conversation.turns += 1
        await self._context.add_usage(usage_of(response))
        return response

    async def _answer_calls(self, calls: list[ResponseFunctionToolCall]) -> None:
        """One function_call_output per call, in call order (parallel calls arrive in one response)."""
        spent = self._conversation.turns >= settings.openai_max_turns
        for call in calls:
            if spent:  # a server that ignored tool_choice="none": no more catalog work, ask for the answer
                output = error_output(prompts.TOOLS_SPENT_MESSAGE)
            else:
                output = await self._tools.run(call.name, call.arguments)
            self._conversation.items.append({'type': 'function_call_output', 'call_id': call.call_id, 'output': output})

    async def _conclude(self, response: Response) -> list[Bundle] | None:
        """The bundles, or None when one more turn was asked for (invalid JSON or a repair)."""
        text, refusal = final_text(response.output)
        if refusal:
            log.warning('response %s refused: %s', response.id, refusal[:200])
            raise PlannerError(errors.REFUSED)
        await self._context.report('Composing your bundles')
        try:
            answer = parse_answer(text)
        except BadAnswer as problem:
            return await self._ask_for_valid_json(str(problem))
        ids = [key.event_id for draft in answer.bundles for key in draft.key_events]
        events = await in_db(queries.get_events, event_ids=ids)
        await self._context.report(f'Checking {count(len(answer.bundles), "bundle")} against the catalog')
        bundles = candidates(answer.bundles, events, self._scope.window)
        violations = self._scope.violations(bundles, events)
        if violations and not self._conversation.repair_used:
            self._conversation.repair_used = True
            listing = '\n'.join(f'- {describe(v, bundles)}' for v in violations)
            self._conversation.add_user_message(prompts.REPAIR_MESSAGE.format(violations=listing))
            await self._context.report(f'Asking the AI planner to fix {count(len(violations), "problem")}')
            return None
        return await self._keep_valid(bundles, events, violations)

    async def _ask_for_valid_json(self, problem: str) -> None:
        if self._conversation.json_retry_used:
            log.warning('second unreadable answer: %s', problem)
            raise PlannerError(errors.UNREADABLE)
        log.info('unreadable answer, asking again: %s', problem)
        self._conversation.json_retry_used = True
        self._conversation.add_user_message(prompts.INVALID_JSON_MESSAGE.format(problem=problem))
        await self._context.report('The plan came back garbled; asking for it again')
        return None

    async def _keep_valid(
        self, proposed: list[Bundle], events: dict[str, EventPublic], violations: list[grounding.Violation]
    ) -> list[Bundle]:
        """What still breaks the rules after the repair is dropped: single events where that is enough.

        Dropping events can leave a bundle too small or (seldom) still over budget, so the rest is checked
        again and only bundles with no violation at all are kept.
        """
        if violations:
            log.info(
                'dropping what still breaks the rules after repair: %s', [describe(v, proposed) for v in violations]
            )
        trimmed = grounding.drop_invalid_events(proposed, violations, min_events=MIN_EVENTS_PER_BUNDLE)
        valid = grounding.drop_invalid(trimmed, self._scope.violations(trimmed, events))
        bundles = [with_cover(bundle) for bundle in valid]
        if not bundles:
            raise PlannerError(errors.NOTHING_VALID)
        if violations:
            await self._context.report(f'Left out {count(len(violations), "part")} that broke the rules')
        await self._context.report(f'Ready: {count(len(bundles), "bundle")}')
        return bundles
