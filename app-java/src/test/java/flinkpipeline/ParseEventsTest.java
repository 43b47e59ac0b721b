package flinkpipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParseEventsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"key\":\"a\",\"event_time\":\"2026-11-23T10:00:00Z\"}|a",
        "{\"key\":\"a b\"}|a b",
        "{\"key\":\"\\u00fc\"}|ü",
        "{\"key\":\"\"}|",
        "{\"key\":null}|",
        "{\"key\":7}|",
        "{\"key\":{\"nested\":\"a\"}}|",
        "{\"id\":\"a\"}|",
        "[\"a\"]|",
        "\"a\"|",
        "not json|",
        "{\"key\":\"a\"|",
    })
    void extractsTheKeyOrNothing(String record, String expected) {
        assertEquals(Optional.ofNullable(expected), ParseEvents.eventKey(record.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @CsvSource({"k,2048,true", "k,2049,false", "ü,1024,true", "ü,1025,false"})
    void keysLongerThanDynamoDbAllowsAreDropped(String character, int repeat, boolean kept) {
        // 'ü' takes two bytes in UTF-8: the 2048 limit counts bytes, not characters.
        byte[] record = ("{\"key\":\"" + character.repeat(repeat) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertEquals(kept, ParseEvents.eventKey(record).isPresent());
    }
}
