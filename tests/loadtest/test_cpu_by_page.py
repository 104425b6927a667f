"""The load benchmark's CPU table (loadtest/run_load.py `cpu_by_page`), read from the lines the
gunicorn hooks write (loadtest/gunicorn_cpu.py)."""

from loadtest.gunicorn_cpu import post_request, pre_request
from loadtest.run_load import cpu_by_page


class _Request:
    def __init__(self, path, method="GET"):
        self.path, self.method = path, method


class _Response:
    status_code = 200


def test_each_request_is_one_line_with_its_view_and_the_floor_is_counted_apart(tmp_path, monkeypatch, db):
    monkeypatch.setenv("LOADTEST_CPU_DIR", str(tmp_path))
    for path in ["/", "/", "/sites/marseille/", "/nulle-part/"]:
        request = _Request(path)
        pre_request(None, request)
        sum(range(20000))  # some CPU for the thread
        post_request(None, request, {}, _Response())
    lines = [
        line.split("\t") for path in tmp_path.glob("cpu-*.tsv") for line in path.read_text().splitlines()
    ]
    assert [line[1] for line in lines] == ["home", "home", "sites:site_home", "other"]
    assert all(float(line[4]) > 0 for line in lines)
    # Two floor reads, written as the hooks would, then the table.
    with open(tmp_path / "cpu-1.tsv", "a", encoding="utf-8") as handle:
        handle.write("9999999999.0\tbench_floor\tGET\t200\t4.00\t5.00\n")
        handle.write("9999999999.0\tbench_floor\tGET\t200\t6.00\t7.00\n")
        handle.write("9999999999.0\thome\tGET\t200\t15.00\t16.00\n")
        handle.write("1.0\thome\tGET\t200\t900.00\t900.00\n")  # before the measured window
    table, floor_seconds = cpu_by_page(tmp_path, since=1000.0)
    text = "\n".join(table)
    assert floor_seconds == 0.010
    assert "median 4.0 ms under the same load (2 reads)" in text
    assert "| home | GET | 3 |" in text and "900" not in text
    assert "bench_floor" not in text
