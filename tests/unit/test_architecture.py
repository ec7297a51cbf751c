"""The house rules of the code base, checked on its source: layers, no import circles, small modules.

Layers point one way: `pages`/`api` -> `services` -> `models` -> `settings`. Services never import NiceGUI;
pages never import the OpenAI SDK nor build SQL. Every import counts, those inside functions included.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ('api', 'pages', 'services', 'models')
APP_FILES = ('app.py', 'settings.py')
# Which of our top-level packages each layer may import (besides its own).
ALLOWED = {
    'app': {'api', 'pages', 'services', 'models', 'settings'},
    'api': {'services', 'models', 'settings'},
    'pages': {'services', 'models', 'settings'},
    'services': {'models', 'settings'},
    'models': {'settings'},
    'settings': set(),
}
FORBIDDEN_LIBRARIES = {
    'services': {'nicegui'},
    'models': {'nicegui', 'openai'},
    'api': {'nicegui.ui', 'openai', 'sqlalchemy', 'sqlmodel.sql'},
    'pages': {'openai', 'sqlalchemy', 'fastapi.responses'},
}
# Catching a database error (to answer 503) is not building SQL.
ALWAYS_ALLOWED = {'sqlalchemy.exc'}
MAX_APP_LINES, MAX_TEST_LINES = 400, 500
# Pointers to documents outside the repository (spelled in pieces so this file does not point there itself).
OUTSIDE_MARKERS = ('../' + 'shared', 'DESIGN' + '.md')


def app_modules() -> dict[str, Path]:
    modules = {name.removesuffix('.py'): ROOT / name for name in APP_FILES}
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob('*.py')):
            parts = path.relative_to(ROOT).with_suffix('').parts
            name = '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)
            modules[name] = path
    return modules


def imported_names(path: Path) -> Iterator[str]:
    """Every module name an import statement in the file names, lazy imports included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f'{node.module}.{alias.name}' for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    modules = app_modules()
    return {name: {n for n in imported_names(path) if n in modules and n != name} for name, path in modules.items()}


def layer(module: str) -> str:
    return module.split('.')[0]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles() -> None:
    assert cycles(import_graph()) == []


def test_cycle_finder_finds_a_circle() -> None:
    assert cycles({'a': {'b'}, 'b': {'c'}, 'c': {'a'}, 'd': {'a'}}) == [['a', 'b', 'c']]


def test_layers_point_one_way() -> None:
    broken = [
        f'{module} imports {target}'
        for module, targets in import_graph().items()
        for target in targets
        if layer(target) != layer(module) and layer(target) not in ALLOWED[layer(module)]
    ]
    assert broken == []


@pytest.mark.parametrize('package', sorted(FORBIDDEN_LIBRARIES))
def test_layers_keep_to_their_libraries(package: str) -> None:
    forbidden = FORBIDDEN_LIBRARIES[package]
    broken = [
        f'{path.relative_to(ROOT)} imports {name}'
        for path in sorted((ROOT / package).rglob('*.py'))
        for name in imported_names(path)
        if not any(name == a or name.startswith(a + '.') for a in ALWAYS_ALLOWED)
        and any(name == f or name.startswith(f + '.') for f in forbidden)
    ]
    assert broken == []


def test_app_modules_stay_small() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in app_modules().values()
        if (lines := len(path.read_text().splitlines())) > MAX_APP_LINES
    }
    assert too_long == {}


def test_test_modules_stay_small() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / 'tests').rglob('*.py'))
        if (lines := len(path.read_text().splitlines())) > MAX_TEST_LINES
    }
    assert too_long == {}


def test_docs_stay_inside_the_repository() -> None:
    outside = [
        str(path.relative_to(ROOT))
        for path in [*app_modules().values(), *ROOT.glob('*.md'), *ROOT.glob('docs/*.md')]
        if any(marker in path.read_text() for marker in OUTSIDE_MARKERS)
    ]
    assert outside == []
