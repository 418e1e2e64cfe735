"""Card pictures as attachments stay within what Discord takes in one message: a file over the
upload limit is left out, and a drill's pictures stop at the count and byte limits."""

from __future__ import annotations

from pathlib import Path

from bot.ui.pictures import MAX_FILES, UPLOAD_BYTES, picture_file, within_upload


def image(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    with path.open("wb") as out:
        out.truncate(size)
    return path


def test_a_picture_is_named_after_its_card_and_keeps_its_suffix(tmp_path: Path) -> None:
    file = picture_file(image(tmp_path, "Lung.PNG", 100), "card-2")
    assert file is not None and file.filename == "card-2.png"


def test_no_file_no_picture_and_too_big_no_picture(tmp_path: Path) -> None:
    assert picture_file(None, "card") is None
    assert picture_file(tmp_path / "gone.png", "card") is None
    assert picture_file(image(tmp_path, "huge.png", UPLOAD_BYTES + 1), "card") is None


def test_a_drills_pictures_stop_at_the_upload_limit(tmp_path: Path) -> None:
    big = UPLOAD_BYTES // 2 + 1
    pictures = [(image(tmp_path, f"{i}.png", big), f"card-{i}") for i in (1, 2)]
    pictures.append((image(tmp_path, "3.png", 1000), "card-3"))
    assert [f.filename for f in within_upload(pictures)] == ["card-1.png", "card-3.png"]


def test_a_drills_pictures_stop_at_ten_files(tmp_path: Path) -> None:
    pictures = [(image(tmp_path, f"{i}.png", 10), f"card-{i}") for i in range(MAX_FILES + 2)]
    assert len(within_upload(pictures)) == MAX_FILES
