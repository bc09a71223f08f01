package dev.descent.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Json follows RFC 8259 strictly: what it rejects, where it says the error is, and what it still accepts. */
class JsonTest {

    private static void rejects(String text, int position, String words) {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(text), text);
        assertEquals(position, e.position(), text + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(words), text + ": " + e.getMessage());
    }

    @Test
    void numbersHaveNoLeadingZerosAndNoPlus() {
        rejects("[016,16]", 1, "leading zero");
        rejects("-01", 0, "leading zero");
        rejects("00", 0, "leading zero");
        rejects("+1", 0, "expected a value");
        rejects("[1,+1]", 3, "expected a value");
        rejects("1.", 2, "after the decimal point");
        rejects(".5", 0, "expected a value");
        rejects("-", 1, "digit");
        rejects("1e", 2, "exponent");
        rejects("1e+", 3, "exponent");
        rejects("1-2", 1, "after the JSON value");
        rejects("99999999999999999999", 0, "out of range");
    }

    @Test
    void validNumbersStillParse() throws Json.ParseException {
        assertEquals(List.of(0L, 0L, 10L, -7L, 1500.0, 0.25, -2.5e-3, 1e10), Json.parse("[0, -0, 10, -7, 1.5e+3, 0.25, -2.5E-3, 1e10]"));
    }

    @Test
    void unicodeEscapesHaveExactlyFourHexDigits() {
        rejects("\"\\u+041\"", 3, "4 hex digits");
        rejects("\"\\u-041\"", 3, "4 hex digits");
        rejects("\"\\u 041\"", 3, "4 hex digits");
        rejects("\"\\u04\"", 5, "4 hex digits");
        rejects("\"\\u０041\"", 3, "4 hex digits"); // a full-width digit is a digit to Character.digit, not to JSON
    }

    @Test
    void surrogatesMustBePaired() {
        rejects("\"\\uD800\"", 7, "high surrogate");
        rejects("\"\\uD800x\"", 7, "high surrogate");
        rejects("\"\\uD800\\u0041\"", 7, "high surrogate");
        rejects("\"\\uDC00\"", 1, "low surrogate");
        rejects("\"\\uDE00\\uD83D\"", 1, "low surrogate");
        rejects("\"\uD800\"", 2, "high surrogate");
        rejects("\"x\uDC00\"", 2, "low surrogate");
    }

    @Test
    void pairedSurrogatesAndEscapesStillParse() throws Json.ParseException {
        assertEquals("😀😀A/\b\f\n\r\t\"\\", Json.parse("\"\\uD83D\\uDE00\uD83D\uDE00\\u0041\\/\\b\\f\\n\\r\\t\\\"\\\\\""));
    }

    @Test
    void controlCharactersAreRejected() {
        rejects("\"a\u0001\"", 2, "control character");
        rejects("\"a\nb\"", 2, "control character");
        rejects("\"a\tb\"", 2, "control character");
    }

    @Test
    void writingThenParsingGivesTheValueBack() throws Json.ParseException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", List.of(1L, 2.5, "x\u0001\"\\😀"));
        m.put("a", null);
        m.put("c", Boolean.TRUE);
        assertEquals(m, Json.parse(Json.write(m)));
    }

    @Test
    void mapsWithoutAnOrderAreWrittenSortedByKey() {
        Map<String, Object> hash = new HashMap<>();
        for (String k : new String[] {"zeta", "alpha", "mu", "beta", "omega", "10", "9"}) hash.put(k, 1);
        assertEquals("{\"10\":1,\"9\":1,\"alpha\":1,\"beta\":1,\"mu\":1,\"omega\":1,\"zeta\":1}", Json.write(hash));
        assertEquals("{\"a\":{\"x\":3,\"y\":2},\"b\":1}", Json.write(Map.of("b", 1, "a", Map.of("y", 2, "x", 3))));
        Map<String, Object> linked = new LinkedHashMap<>();
        linked.put("zeta", 1);
        linked.put("alpha", 2);
        assertEquals("{\"zeta\":1,\"alpha\":2}", Json.write(linked), "an ordered map keeps its order");
    }

    @Test
    void parseMembersHandsOverEachMemberInOrderAndRejectsWhatParseRejects() throws Json.ParseException {
        List<String> seen = new java.util.ArrayList<>();
        Json.parseMembers(" {\"b\":[1,2],\"a\":{\"x\":null}} ", (key, value, at) -> seen.add(key + "=" + value + "@" + at));
        assertEquals(List.of("b=[1, 2]@2", "a={x=null}@12"), seen);
        Json.ParseException dup = assertThrows(Json.ParseException.class, () -> Json.parseMembers("{\"a\":1,\"a\":2}", (k, v, at) -> {}));
        assertEquals(7, dup.position());
        assertThrows(Json.ParseException.class, () -> Json.parseMembers("[1]", (k, v, at) -> {}));
        assertThrows(Json.ParseException.class, () -> Json.parseMembers("{\"a\":01}", (k, v, at) -> {}));
        assertThrows(Json.ParseException.class, () -> Json.parseMembers("{} x", (k, v, at) -> {}));
    }
}
