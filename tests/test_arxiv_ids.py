"""arXiv id extraction: forms that count, and look-alikes that must not."""

from explorer.ingest.arxiv_ids import find_arxiv_ids


def ids(text):
    return [i for i, _ in find_arxiv_ids(text)]


def test_links_prefixes_and_versions():
    text = ("see https://arxiv.org/abs/2203.01234v2 and http://arxiv.org/pdf/1411.4321.pdf, "
            "also arXiv:2301.00007 and ARXIV: 1999.99999")
    assert ids(text) == ["2203.01234", "1411.4321", "2301.00007"]


def test_old_style_ids():
    text = "arxiv.org/abs/cs/0501001v1 and arXiv:math.GT/0309136 and hep-th/9901001 on arxiv"
    assert ids(text) == ["cs/0501001", "math.GT/0309136", "hep-th/9901001"]


def test_bare_id_needs_arxiv_nearby():
    assert ids("Released 2019.10 with patch 1706.03762 applied") == []
    assert ids("the arxiv preprint 1706.03762 explains it") == ["1706.03762"]
    assert ids("call +43 1234.56789 now") == []


def test_invalid_months_and_digit_counts_are_rejected():
    # month 13 does not exist; 4-digit numbers ended in 2014, 5-digit ones began in 2015
    assert ids("arXiv:1713.01234 arXiv:1601.1234 arXiv:1401.12345") == []


def test_first_mention_kept_with_collapsed_context():
    text = "intro   text\n\nhttps://arxiv.org/abs/1706.03762v1 first\n" + "x " * 200 + \
        "arXiv:1706.03762v5 again"
    found = find_arxiv_ids(text)
    assert [i for i, _ in found] == ["1706.03762"]
    assert "first" in found[0][1] and "\n" not in found[0][1] and "  " not in found[0][1]
    assert len(found[0][1]) <= 260


def test_citing_phrase_drops_heading_marks():
    from explorer.ingest.arxiv_ids import citing_phrase

    ctx = "results. # Sparse Dreams of Robots Lab X, 2031 <http://arxiv.org/abs/3101.00001v1> - more"
    assert citing_phrase(ctx, "3101.00001") == "Sparse Dreams of Robots Lab X, 2031"


def test_citing_phrase_skips_links_numbers_and_formulas():
    from explorer.ingest.arxiv_ids import citing_phrase

    linked = "Singing owls <https://example.org/owls/> <http://arxiv.org/abs/3101.00002> (May)"
    assert citing_phrase(linked, "3101.00002") == "Singing owls"
    numbered = "**Fig. 4.** Owls grow wiser with depth <http://arxiv.org/abs/3101.00003>"
    assert citing_phrase(numbered, "3101.00003") == "Owls grow wiser with depth"
    formula = r"\beta & \text{if } y > 1 $$ <http://arxiv.org/abs/3101.00004>"
    assert citing_phrase(formula, "3101.00004") == ""


def test_pages_keyed_by_the_arxiv_id_count_as_citations():
    # newer slides link a paper's Hugging Face or alphaXiv page, or its DOI, not arxiv.org
    text = ("trending: https://huggingface.co/papers/2501.01234 and hf.co/papers/2502.04321, "
            "discussed at https://www.alphaxiv.org/abs/2503.01111v2; "
            "doi:10.48550/arXiv.2508.06666")
    assert ids(text) == ["2501.01234", "2502.04321", "2503.01111", "2508.06666"]
    # other pages with a number in the path are no citation
    assert ids("https://huggingface.co/datasets/2501.01234 and hf.co/papers/2501.0123") == []
