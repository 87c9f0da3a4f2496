"""Profiles set the thresholds rules use (satisfaction floor, tolerances, where 成本 belongs).

A profile is a YAML file: a built-in name (rules/profiles/<name>.yml) or a path; `extends`
inherits another profile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..resources import rules_dir


class ProfileError(ValueError):
    pass


def available_profiles() -> list[str]:
    return sorted(p.stem for p in (rules_dir() / "profiles").glob("*.yml"))


def load_profile(name_or_path: str = "national", _depth: int = 0) -> dict[str, Any]:
    import yaml

    from .rules import safe_load_yaml

    path = Path(name_or_path)
    if not (path.suffix in (".yml", ".yaml") and path.exists()):
        path = rules_dir() / "profiles" / f"{name_or_path}.yml"
    if not path.exists():
        known = ", ".join(available_profiles())
        raise ProfileError(f"找不到审核口径 {name_or_path}（可用：{known}，或给出 YAML 文件路径）")
    try:
        data = safe_load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: 不是有效的 YAML（{exc}）") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: 口径文件应为键值对")
    parent = data.pop("extends", None)
    if parent and _depth < 5:
        base = load_profile(parent, _depth + 1)
        base.update(data)
        data = base
    data.setdefault("name", path.stem)
    return data
