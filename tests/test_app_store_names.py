"""The app's store never overwrites: files and matched-set folders get fresh names from one rule."""

from studio.app_support import output_path, set_folder


def test_a_taken_name_gets_the_next_free_suffix_for_files_and_set_folders(tmp_path):
    first = output_path(tmp_path, "image", "procedural", "quiet awe", 3)
    first.write_bytes(b"png")
    second = output_path(tmp_path, "image", "procedural", "quiet awe", 3)
    assert first.parent == second.parent == tmp_path / "image" and second != first
    assert second.suffix == first.suffix == ".png" and not second.exists()

    folder = set_folder(tmp_path, "quiet awe", 3)
    assert folder.parent == tmp_path / "all" and folder.name.startswith("quiet-awe-s3-")
    folder.mkdir(parents=True)
    assert set_folder(tmp_path, "quiet awe", 3) not in (folder, second)
