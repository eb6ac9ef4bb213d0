from odfa.timing.report import result_table


def test_the_table_aligns_the_numbers_and_puts_sentences_after_it():
    result = {
        "model": "gpt",
        "dfa_over_bp": 1.0234567,
        "note": "what the ratios compare, at length",
    }
    meanings = {"model": "the network timed", "dfa_over_bp": "DFA's time / BP's"}
    assert result_table(result, meanings).splitlines() == [
        "model          gpt  the network timed",
        "dfa_over_bp  1.023  DFA's time / BP's",
        "note: what the ratios compare, at length",
    ]
