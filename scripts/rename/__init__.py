"""Make the template yours: give the service your name everywhere it appears, and keep only
the sample domains you want.

`make rename NAME=orders-api [KEEP="users products"]` runs this (`python -m scripts.rename`).
The current name is read from `pyproject.toml` (`[project] name`), so a renamed repository can
be renamed again. Every spelling is replaced in the tracked text files: `sample-api` (stack
names, S3 prefixes, the OIDC audience, prose), `sample_api` (the layer package, its imports,
mypy and setuptools settings) and `SampleApi` (metric namespaces), and the layer package's
folder is moved. The local gateway (`gateway/`) and this tool know nothing of the service, so
they are left as they are.

`--keep` names the sample domains that stay (`[tool.rename.domains]` in pyproject.toml lists
them, with the shared pieces: Cognito, the JWT authorizer, API keys, each kept while a domain
it serves is). Everything else goes by its owner's mark, never because it mentions a word: the
template's resources marked `Metadata: {Domain: ...}` and what refers to them, the OpenAPI
operations tagged with a dropped domain, packages whose `__init__.py` says `DOMAIN = "..."`
(functions, the layer's domain packages, the authorizer, the stand-in) with the events named
after them, test helper modules with a `DOMAIN = "..."` of their own, documents whose first
line is `<!-- domain: ... -->`, prose (a section, list item, row or paragraph) whose line ends
in that mark, and tests marked `pytest.mark.domain(...)`. The client contract
(docs/openapi.json) is exported again and becomes the new baseline of the drift test.

Modules: `ownership` (the owners and the marks of folders and documents), `template_surgery`
and `openapi_surgery` (the template and the API definition, cut at blocks a YAML parser found,
by `yaml_text`), `tests_by_mark`, `file_moves`, `prose_marks`, `text_renames` (the name), `keep`
(the order KEEP runs in) and `cli`.
"""
