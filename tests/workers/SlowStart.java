import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

// A newline-delimited JSON worker in Java whose start is slow: for args[0] seconds (3 by
// default) it fills a lookup table, as a worker warming a cache or loading an index does, and
// only then reads its stdin. Each request is answered at once.
public class SlowStart {
    public static void main(String[] args) throws IOException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 3;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Map<Integer, Integer> table = new HashMap<>();
        for (int i = 0; System.nanoTime() < end; i++) {
            table.put(i % 100_000, i);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            int at = line.indexOf("\"id\":");
            String id = at < 0 ? "null" : line.substring(at + 5).split("[,}]")[0].trim();
            System.out.println("{\"id\":" + id + ",\"success\":true,\"result\":{\"entries\":" + table.size() + "}}");
            System.out.flush();
        }
    }
}
