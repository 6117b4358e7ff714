import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.regex.*;

// A newline-delimited JSON worker in Java writing through a BufferedWriter it never flushes:
// its answers stay in the writer's 8 KiB buffer.
public class NeverFlushes {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        Pattern idPattern = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
        String line;
        while ((line = in.readLine()) != null) {
            Matcher m = idPattern.matcher(line);
            String id = m.find() ? m.group(1) : "null";
            out.write("{\"id\":" + id + ",\"success\":true,\"result\":{\"status\":\"ok\",\"worker\":\"java\"}}");
            out.newLine();
        }
        out.flush();
    }
}
