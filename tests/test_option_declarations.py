"""Every option is declared once (generators/options.py) and reachable from all four faces: a `studio generate` flag
that lands in the options passed to generate(), a manifest row, the API (for a backend that names it, refused for
one that does not) and an app widget — or a stated reason why the app deliberately leaves it out. Nothing
undeclared gets in through any of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conditioning import StudioError
from generators.options import BY_NAME, CATALOGUE, KINDS, Option
from generators.registry import BACKENDS, get_backend
from studio.api import build_request
from studio.cli import build_parser
from studio.commands.generate import given_options
from studio.manifest import OPTION_KEYS, validate

NOT_OPTIONS = {"command", "verbose", "run", "modality", "emotion", "arc", "text", "seed", "out", "backend", "json"}
"""The generate command's own arguments: what to make and where, not how."""


def installed_backends() -> dict[tuple[str, str], object]:
    modules = {}
    for key in BACKENDS:
        try:
            modules[key] = get_backend(*key)
        except StudioError:
            continue
    return modules


MODULES = installed_backends()


def sample(declared: Option):
    """(command-line words, the value generate() should then receive) for a valid value of the option."""
    if declared.kind in ("flag", "compile", "switch"):
        return [declared.flag], True
    if declared.kind == "loras":
        return [declared.flag, "awe=awe.safetensors"], ["awe=awe.safetensors"]
    if declared.kind in ("int", "float"):
        number = (declared.low or 0) + 1 if declared.high is None else declared.high
        value = int(number) if declared.kind == "int" else float(number)
        return [declared.flag, str(value)], value
    value = {"size": "64x64", "taxonomy": "ekman7", "format": "png"}.get(declared.name, "x")
    return [declared.flag, value], value


def test_every_backend_names_only_declared_options_of_its_modality():
    assert len(MODULES) >= 4  # the embedded backends at least
    for (modality, name), module in MODULES.items():
        for key in module.OPTIONS:
            assert key in BY_NAME, f"{modality}/{name} names {key!r}, which generators/options.py does not declare"
            assert BY_NAME[key].scope == "backend" and modality in BY_NAME[key].modalities, (name, key)
    assert all(declared.kind in KINDS for declared in CATALOGUE)
    for declared in CATALOGUE:
        assert declared.help and declared.title, declared.name


@pytest.mark.parametrize("declared", [d for d in CATALOGUE if not d.no_cli], ids=lambda d: d.name)
def test_each_option_has_a_flag_that_lands_in_the_options_generate_receives(declared):
    words, value = sample(declared)
    args = build_parser().parse_args(["generate", "image", "-e", "awe", *words])
    assert given_options(args)[declared.name] == value


def test_a_switch_turned_off_reaches_generate_as_false_and_an_unset_flag_not_at_all():
    args = build_parser().parse_args(["generate", "voice", "-e", "awe", "--no-prosody-transform"])
    options = given_options(args)
    assert options["prosody_transform"] is False and "plain" not in options and "compile" not in options


def test_the_cli_has_no_option_flag_that_is_not_declared():
    generate_parser = build_parser()._subparsers._group_actions[0].choices["generate"]
    dests = {action.dest for action in generate_parser._actions} - {"help"}
    assert dests - NOT_OPTIONS == {d.name for d in CATALOGUE if not d.no_cli}
    assert all(d.no_cli for d in CATALOGUE if d.name not in dests)  # only with a reason (format: from --out)


def takers(declared: Option) -> list[tuple[str, str]]:
    if declared.scope == "generate" or declared.name == "format":
        return [(m, "procedural") for m in ("image", "video") if m in declared.modalities]
    return [key for key, module in MODULES.items() if declared.name in module.OPTIONS]


@pytest.mark.parametrize("declared", CATALOGUE, ids=lambda d: d.name)
def test_a_manifest_row_accepts_each_allowed_option_and_refuses_the_rest(declared):
    found = takers(declared)
    if not found:
        pytest.skip(f"no installed backend takes {declared.name}")
    modality, backend = found[0]
    value = sample(declared)[1]
    row = {"id": "r", "modality": modality, "emotion": "awe", "backend": backend, "text": "words"}
    row["options"] = {declared.name: value}
    if declared.manifest:
        assert validate(1, row, set()).options == {declared.name: value}
    else:
        with pytest.raises(StudioError, match=f"unknown option.*{declared.name}"):
            validate(1, row, set())


def test_a_manifest_row_refuses_undeclared_options_and_allow_pickle_is_never_one():
    assert "allow_pickle" not in OPTION_KEYS and set(OPTION_KEYS) <= set(BY_NAME)
    row = {"id": "r", "modality": "image", "emotion": "awe", "options": {"sharpness": 3}}
    with pytest.raises(StudioError, match="unknown option.*sharpness"):
        validate(1, row, set())


@pytest.mark.parametrize("declared", [d for d in CATALOGUE if d.scope == "backend"], ids=lambda d: d.name)
def test_the_api_takes_an_option_for_a_backend_that_names_it_and_refuses_it_elsewhere(declared, tmp_path):
    value = sample(declared)[1]
    for (modality, name), module in MODULES.items():
        out = tmp_path / f"x{module.SUFFIXES[0]}"
        call = {"backend": name, "out": out, "text": "words", declared.name: value}
        if declared.name == "format":
            call["format"] = module.SUFFIXES[0].lstrip(".")
        if declared.name in module.OPTIONS or declared.name == "format":
            _, request = build_request(modality, "awe", **call)
            assert request.options[declared.name] == call[declared.name]
        else:
            with pytest.raises(StudioError, match=f"does not take {re.escape(declared.flag)}"):
                build_request(modality, "awe", **call)


def test_the_api_checks_each_value_against_its_declaration(tmp_path):
    out = tmp_path / "x.png"
    with pytest.raises(StudioError, match="--steps 0 must be a whole number from 1 to 1000"):
        build_request("image", "awe", backend="diffusion", out=out, steps=0)
    with pytest.raises(StudioError, match="--offload 'yes' must be true or false"):
        build_request("image", "awe", backend="diffusion", out=out, offload="yes")
    with pytest.raises(StudioError, match="does not take --sharpness"):
        build_request("image", "awe", out=out, sharpness=3)


GENERATE_PAGE_KEYS = {"size": "gen_image_size", "duration": "gen_duration", "fps": "gen_fps", "best_of": "gen_best_of"}
"""generate()'s own arguments have fixed widgets on the Generate page."""


def test_the_app_shows_a_widget_for_every_option_a_backend_takes_or_says_why_not(tmp_path, monkeypatch):
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("STUDIO_APP_OUTPUT", str(tmp_path / "out"))
    app = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app" / "studio_app.py"), default_timeout=60)
    app.run()
    app.switch_page("generate_page.py").run()
    app.segmented_control(key="gen_choice").set_value("All three").run()
    keys = set()
    for (modality, name), module in MODULES.items():
        app.selectbox(key=f"gen_backend_{modality}").set_value(name).run()
        assert not app.exception, [e.value for e in app.exception]
        if modality == "video":
            app.text_input(key="gen_narration_video").input("the tide").run()  # language shows with narration
        shown = {
            widget.key
            for kind in ("text_input", "number_input", "toggle", "selectbox", "slider", "select_slider")
            for widget in app.get(kind)
        }
        keys |= shown
        for option in module.OPTIONS:
            declared = BY_NAME[option]
            if declared.cli_only:
                continue
            assert f"{option_key(option)}_{modality}" in shown, (name, option)
    for declared in CATALOGUE:
        if declared.scope == "generate" and not declared.cli_only:
            assert GENERATE_PAGE_KEYS[declared.name] in keys, declared.name
    assert all(len(d.cli_only) > 20 for d in CATALOGUE if d.cli_only)  # a reason, not a marker


def option_key(name: str) -> str:
    return {"references": "gen_refs", "voice": "gen_narration", "prosody_transform": "gen_prosody"}.get(
        name, f"gen_{name}"
    )
