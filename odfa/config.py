"""Load and validate the workflow configuration (the same schema Snakemake's `validate()` uses)."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from odfa.errors import ConfigError
from odfa.registry import DIALOGS_RUNS, METHODS

SCHEMA_PATH = Path(str(files("odfa") / "schemas" / "config.schema.yaml"))
# A link to the repository's config/config.yaml (the one copy, which the Snakefile reads); a
# wheel holds its content. In a folder of its own: settings, not code, so no code digest reads it
# (odfa.pipeline.code digests the files a module names beside itself).
DEFAULT_CONFIG_PATH = Path(str(files("odfa") / "defaults" / "config.yaml"))
LAYERING_HINT = (
    "; a file holding only what differs from the default is layered over it, "
    "e.g. `odfa config check --config config/config.yaml config/paper.yaml`"
)


# libyaml's loader where PyYAML was built with it: the same values, ten times as fast (every
# command of the pipeline reads the config and the schema).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The values of a YAML document (PyYAML's safe subset)."""
    return yaml.load(text, Loader=YAML_LOADER)


def load_schema() -> dict[str, Any]:
    """The config schema, its method names those of the registry."""
    schema = load_yaml(SCHEMA_PATH.read_text())
    schema["$defs"]["method"]["enum"] = list(METHODS)
    schema["$defs"]["dialogs_run"]["enum"] = list(DIALOGS_RUNS)
    return schema


def _with_defaults(validator_class: type[jsonschema.protocols.Validator]) -> type:
    """A validator that also fills in the schema's defaults (as Snakemake's `validate` does)."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(
        validator: jsonschema.protocols.Validator,
        properties: dict[str, Any],
        instance: Any,
        schema: dict[str, Any],
    ) -> Iterator[jsonschema.ValidationError]:
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema:
                    instance.setdefault(name, subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(
        validator_class,
        {"properties": set_defaults},
        type_checker=validator_class.TYPE_CHECKER.redefine("number", _finite_number),
    )


def _finite_number(checker: jsonschema.TypeChecker, instance: Any) -> bool:
    """A number of the schema is finite: NaN and infinities are no setting's value."""
    number = jsonschema.Draft202012Validator.TYPE_CHECKER.is_type(instance, "number")
    return number and math.isfinite(instance)


def validate_config(config: dict[str, Any], source: str = "config") -> dict[str, Any]:
    """Validate `config` in place (filling defaults); raise ConfigError naming the bad key."""
    _raise_first_error(load_schema(), config, source, LAYERING_HINT)
    return config


def validate_section(settings: Mapping[str, Any], definition: str, source: str) -> dict[str, Any]:
    """A copy of `settings` validated against the schema's `$defs/<definition>` with its
    defaults filled in (e.g. a study's `training` section); ConfigError names the bad key."""
    schema = load_schema()
    section = {"$defs": schema["$defs"], **schema["$defs"][definition]}
    checked = copy.deepcopy(dict(settings))
    _raise_first_error(section, checked, source)
    return checked


def _raise_first_error(
    schema: dict[str, Any], instance: dict[str, Any], source: str, missing_hint: str = ""
) -> None:
    """Fill in `schema`'s defaults in `instance`; raise ConfigError naming its first bad key
    (with `missing_hint` when a top-level key is missing)."""
    validator = _with_defaults(jsonschema.Draft202012Validator)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        missing = error.validator == "required" and not error.absolute_path
        message = error.message
        if isinstance(error.instance, float) and not math.isfinite(error.instance):
            message = f"{error.instance} is not a finite number ({message})"
        raise ConfigError(f"{source}: {key}: {message}{missing_hint if missing else ''}")


def merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """`overlay` merged into a copy of `base`, mapping by mapping (as Snakemake merges configs)."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read(path: Path) -> dict[str, Any]:
    try:
        config = load_yaml(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path} is not valid YAML{where}: {problem}") from None
    if not isinstance(config, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return config


def load_config(*paths: str | Path) -> dict[str, Any]:
    """Read YAML config files, each merged over the ones before, and validate the result.

    The first file is complete (e.g. config/config.yaml); later ones hold only what differs
    (e.g. config/paper.yaml), as with Snakemake's `configfile:` plus `--configfile`.
    """
    if not paths:
        raise ConfigError("no config file given")
    config: dict[str, Any] = {}
    for path in map(Path, paths):
        config = merge(config, _read(path))
    return validate_config(config, source=" + ".join(map(str, paths)))


def defaults() -> dict[str, Any]:
    """The default config (config/config.yaml, packaged with odfa), validated: a fresh copy,
    readable from any directory."""
    return load_config(DEFAULT_CONFIG_PATH)
