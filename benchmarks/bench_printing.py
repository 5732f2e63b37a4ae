"""Print-engine benchmark (a script, not a test).

    .venv/bin/python -m benchmarks.bench_printing [--pages 3000] [--notices 10000]

Reports:
- pre-filled 予診票 pages/s (budget ≥ 150 pages/s, DESIGN.md §6) and a bare reportlab loop
  (one short string per page, same canvas settings) on the same machine, with the ratio;
- a mailing batch of N 個別通知 (letter + 予診票 = 2 pages each) to a file, with progress;
- the same batch cancelled half-way: time until it stopped and that no file was left.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psutil
from reportlab.pdfgen.canvas import Canvas

from app.printing import (
    Municipality,
    NoticeRequest,
    PersonBlock,
    PrintCancelled,
    YoshinhyoRequest,
    write_notices,
    write_yoshinhyo,
)
from app.printing.fonts import GOTHIC, register_fonts
from app.printing.yoshinhyo_form import series_form, series_ids

MUNICIPALITY = Municipality(
    "新宿区",
    "131041",
    "新宿区長",
    "東京都新宿区歌舞伎町一丁目4番1号",
    office="健康部 保健予防課",
    phone="03-5273-3859",
)
SURNAMES = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "翔太", "さくら", "健太", "陽菜", "大輔", "結衣"]
KANA_S = [
    "ヤマダ",
    "サトウ",
    "スズキ",
    "タカハシ",
    "タナカ",
    "イトウ",
    "ワタナベ",
    "ナカムラ",
    "コバヤシ",
    "カトウ",
]
KANA_G = [
    "タロウ",
    "ハナコ",
    "イチロウ",
    "ミサキ",
    "ショウタ",
    "サクラ",
    "ケンタ",
    "ヒナ",
    "ダイスケ",
    "ユイ",
]
PRINT_DATE = date(2025, 4, 10)


def requests(n: int, seed: int = 7) -> list[YoshinhyoRequest]:
    rng = random.Random(seed)
    ids = series_ids()
    out = []
    for i in range(n):
        sid = ids[i % len(ids)]
        form = series_form(sid)
        adult = not form.guardian
        s, g = rng.randrange(10), rng.randrange(10)
        birth = PRINT_DATE - timedelta(
            days=rng.randrange(25_000, 30_000) if adult else rng.randrange(60, 4000)
        )
        person = PersonBlock(
            atena_no=f"{rng.randrange(10**9):010d}",
            name=f"{SURNAMES[s]} {GIVEN[g]}",
            name_kana=f"{KANA_S[s]} {KANA_G[g]}",
            sex=rng.choice("MF"),
            birth_date=birth,
            address=f"東京都新宿区西新宿{rng.randrange(1, 9)}丁目{rng.randrange(1, 30)}番{rng.randrange(1, 20)}号",
            postal_code=f"160{rng.randrange(10000):04d}",
            phone=f"03-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}",
            guardian_name="" if adult else f"{SURNAMES[s]} {GIVEN[(g + 1) % 10]}",
            guardian_relation="" if adult else rng.choice(["母", "父"]),
        )
        dose = form.dose_options[i % len(form.dose_options)]
        out.append(YoshinhyoRequest(sid, dose, PRINT_DATE, f"Y25-{i:07d}", person))
    return out


def bare_loop(pages: int, path: Path) -> float:
    register_fonts()
    t = time.perf_counter()
    c = Canvas(str(path), pageCompression=1, invariant=1, initialFontName=GOTHIC)
    for i in range(pages):
        c.setFont(GOTHIC, 10)
        c.drawString(72, 720, f"ページ {i}")
        c.showPage()
    c.save()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--notices", type=int, default=10_000)
    args = ap.parse_args()
    proc = psutil.Process()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        reqs = requests(args.pages)
        write_yoshinhyo(reqs[:20], d / "warm.pdf", municipality=MUNICIPALITY)  # fonts, JSON
        t = time.perf_counter()
        pages = write_yoshinhyo(reqs, d / "y.pdf", municipality=MUNICIPALITY)
        dt = time.perf_counter() - t
        bare = bare_loop(args.pages, d / "bare.pdf")
        size = (d / "y.pdf").stat().st_size
        print(
            f"予診票 (pre-filled, {len(series_ids())} series mixed): {pages} pages in {dt:.2f} s "
            f"= {pages / dt:,.0f} pages/s, {size / pages / 1024:.1f} KB/page"
        )
        print(
            f"bare reportlab loop: {args.pages} pages in {bare:.2f} s = {args.pages / bare:,.0f} "
            f"pages/s; 予診票 takes {dt / bare:.1f}x the bare loop's time"
        )

        notices = [NoticeRequest(r, date(2026, 3, 31)) for r in requests(args.notices, seed=11)]
        marks = {max(1, args.notices * k // 10) for k in range(1, 11)}
        t = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if done in marks:
                print(f"  {done:>6,}/{total:,} notices  {time.perf_counter() - t:6.1f} s")

        out = d / "notices.pdf"
        pages = write_notices(notices, out, municipality=MUNICIPALITY, progress=progress)
        dt = time.perf_counter() - t
        print(
            f"mailing batch: {args.notices:,} notices = {pages:,} pages in {dt:.1f} s "
            f"({pages / dt:,.0f} pages/s), file {out.stat().st_size / 2**20:.0f} MiB, "
            f"RSS after the batch {proc.memory_info().rss / 2**20:.0f} MiB"
        )
        out.unlink()

        half: int = args.notices // 2
        seen = [0]
        t = time.perf_counter()
        stop_at: list[float] = []

        def cancelled() -> bool:
            if seen[0] >= half and not stop_at:
                stop_at.append(time.perf_counter())
            return seen[0] >= half

        def count(done: int, total: int) -> None:
            seen[0] = done

        try:
            write_notices(
                notices, out, municipality=MUNICIPALITY, progress=count, cancelled=cancelled
            )
            print("cancel: NOT honoured")
        except PrintCancelled:
            lag = (time.perf_counter() - stop_at[0]) * 1000
            print(
                f"cancel at {half:,}/{args.notices:,}: stopped {lag:.1f} ms after the request, "
                f"file left behind: {os.path.exists(out)}"
            )


if __name__ == "__main__":
    main()
