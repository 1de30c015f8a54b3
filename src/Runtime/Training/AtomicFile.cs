using System;
using System.IO;

namespace GraphNet;

/// <summary>Writes a whole file so that a reader sees the old file or the new one, never half of it: a temporary file beside it, renamed over it.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/> (its folder created if missing) through a temporary file,
    /// flushed to disk and renamed over the target; on failure the temporary file is deleted and the old file left as it was.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew))
            {
                file.Write(bytes);
                file.Flush(true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark), as <see cref="Write"/> does.</summary>
    public static void WriteText(string path, string text) => Write(path, System.Text.Encoding.UTF8.GetBytes(text));
}
