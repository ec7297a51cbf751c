"""The LLM planner (`openai` in settings and data): a Responses API function-tool loop over the events catalog.

The model searches the catalog with function tools, then answers with bundles as JSON naming catalog
event ids; every fact a person sees about an event is re-read from the catalog. Modules:

- `planner`: `LLMPlanner`, what the registry hands the runner;
- `client`: `LLMClient`, the SDK clients and the thread their calls run on (started and closed by the app);
- `loop`: the tool-call loop (turn cap, status checks, JSON retry, repair turn);
- `conversation`: the durable conversation resent every turn and saved after each one;
- `tools`: the catalog tools, their argument models and the schemas generated from them;
- `answer`: the final answer's schema and validation, and the bundles made of it;
- `schema`: strict-mode JSON schemas from pydantic models; `scope`: what one generation may see;
- `errors`: what a person reads when the AI service fails; `prompts`: the versioned prompt texts.

Only this package imports `openai`. Nothing is imported here, so the SDK loads only with the planner.
"""
