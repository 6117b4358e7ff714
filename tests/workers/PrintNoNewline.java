import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.regex.*;
// A newline-delimited JSON worker in Java that answers with System.out.print: no newline after
// the answer, which a line reader waits for.
public class PrintNoNewline {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Pattern idPattern = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
        String line;
        while ((line = in.readLine()) != null) {
            Matcher m = idPattern.matcher(line);
            String id = m.find() ? m.group(1) : "null";
            System.out.print("{\"id\":" + id + ",\"success\":true,\"result\":{\"status\":\"ok\"}}");
        }
    }
}
