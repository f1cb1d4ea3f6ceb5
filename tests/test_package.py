"""The wheel carries what the notebooks need at run time: the package and its reference data."""

import pathlib
import subprocess
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_wheel_ships_the_reference_data(tmp_path):
    # --no-build-isolation: build with the installed setuptools, no download.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path),
         str(ROOT)],
        check=True, capture_output=True, timeout=600, cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("torchvision_reference.npz", "coco_synth_500_gt.json", "coco_synth_500_dt.json",
                 "coco_synth_500_stats.json"):
        assert f"utils/data/reference/{data}" in names, data
    assert "utils/boxes.py" in names and "utils/nms.py" in names
    assert not any(n.startswith(("tests/", "notebooks/")) for n in names)


def test_data_dir_is_inside_the_package():
    import utils

    assert utils.DATA_DIR.is_relative_to(pathlib.Path(utils.__file__).parent)
    assert (utils.DATA_DIR / "torchvision_reference.npz").is_file()
