import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.Map;

// A newline-delimited JSON worker in Java that looks its settings up at start and throws:
// the exception's stack goes to stderr and the JVM exits with code 1.
public class Throws {
    static final Map<String, String> SETTINGS = Map.of("mode", "pool");

    public static void main(String[] args) throws IOException {
        int poolSize = Integer.parseInt(SETTINGS.get("pool_size"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            System.out.println("{\"id\":1,\"success\":true,\"result\":{\"size\":" + poolSize + "}}");
        }
    }
}
