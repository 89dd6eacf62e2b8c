from sparkseal.scan.detectors import KINDS, Detectors

TEXT = b"""contact bob.smith+x@mail.example.co.uk or call (415) 555-0132 / +44 20 7946 0958
card 4111 1111 1111 1111 and 4111111111111112 ssn 123-45-6789 bad 000-12-3456
iban DE89 3704 0044 0532 0130 00 and GB82WEST12345698765432 bad GB82WEST12345698765433
ip 10.0.0.1 host 192.168.1.300 ver 1.2.3.4.5 py4j-0.10.9.9.jar ts 1795326425742
org.apache.spark.Foo@6d1e7682 "Launch Time":1795326425742 10.0.0.1
"""


def test_finds_each_kind_and_skips_near_misses():
    hits = {(h.kind, h.value): h.count for h in Detectors().find(TEXT)}
    assert hits == {
        ("email", b"bob.smith+x@mail.example.co.uk"): 1,
        ("phone", b"(415) 555-0132"): 1,
        ("phone", b"+44 20 7946 0958"): 1,
        ("card", b"4111 1111 1111 1111"): 1,
        ("ssn", b"123-45-6789"): 1,
        ("iban", b"DE89 3704 0044 0532 0130 00"): 1,
        ("iban", b"GB82WEST12345698765432"): 1,
        ("ipv4", b"10.0.0.1"): 2,
    }


def test_kind_selection():
    assert {h.kind for h in Detectors(["email"]).find(TEXT)} == {"email"}
    assert Detectors([]).find(TEXT) == []
    assert set(KINDS) == {"email", "card", "ssn", "phone", "iban", "ipv4"}


def test_ip_at_the_very_start():
    assert [h.value for h in Detectors(["ipv4"]).find(b"10.1.2.3 x")] == [b"10.1.2.3"]


def test_a_candidate_that_fails_validation_hides_nothing():
    # "2000 078-05-1120" looks like a card number and fails Luhn; the SSN in it counts.
    hits = {(h.kind, h.value) for h in Detectors().find(b"id 2000 078-05-1120 x")}
    assert hits == {("ssn", b"078-05-1120")}
    hits = {(h.kind, h.value) for h in Detectors().find(b"n 5000 4111 1111 1111 1111 x")}
    assert ("card", b"4111 1111 1111 1111") in hits
