package dev.fovea.cli.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code index.html}: a self-contained page (no scripts, no external files) showing every figure with its
 * title and caption, after a few facts and preformatted blocks (the model summary, the console report).
 */
public final class IndexPage {
    public static final String FILE = "index.html";

    /** A titled block of preformatted text. */
    public record Block(String title, String text) {
    }

    private IndexPage() {
    }

    public static Path write(Path dir, String title, List<String> facts, List<Figure> figures, List<Block> blocks) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;max-width:1300px;margin:2em auto;padding:0 1em;")
                .append("color:#202020;line-height:1.45}\n")
                .append("figure{margin:2em 0;padding-bottom:1.5em;border-bottom:1px solid #ddd}\n")
                .append("figure img{max-width:100%;height:auto;border:1px solid #ccc}\n")
                .append("figcaption{max-width:60em;color:#444}\nh2{margin-top:1.5em}\n")
                .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:13px}\n")
                .append("nav a{margin-right:1em}\n</style>\n</head>\n<body>\n<h1>").append(esc(title)).append("</h1>\n");
        if (!facts.isEmpty()) {
            h.append("<ul>\n");
            for (String f : facts) {
                h.append("<li>").append(esc(f)).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("<nav>");
        for (int i = 0; i < figures.size(); i++) {
            h.append("<a href=\"#fig").append(i + 1).append("\">").append(esc(figures.get(i).title())).append("</a>");
        }
        h.append("</nav>\n");
        for (int i = 0; i < figures.size(); i++) {
            Figure f = figures.get(i);
            h.append("<figure id=\"fig").append(i + 1).append("\">\n<h2>").append(i + 1).append(". ")
                    .append(esc(f.title())).append("</h2>\n<img src=\"").append(esc(f.file())).append("\" alt=\"")
                    .append(esc(f.title())).append("\">\n<figcaption>").append(esc(f.caption()))
                    .append("</figcaption>\n</figure>\n");
        }
        for (Block b : blocks) {
            h.append("<h2>").append(esc(b.title())).append("</h2>\n<pre>").append(esc(b.text())).append("</pre>\n");
        }
        h.append("</body>\n</html>\n");
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            Files.writeString(file, h, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
