package io.corerouter.ssl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * What a set of files looked like when they were last read (modification time, size and file key,
 * which changes when a file is replaced by a rename): enough to tell a changed certificate without
 * reading it. A missing file has its own stamp, so a file that appears or disappears is a change.
 */
record FileStamps(List<Stamp> stamps) {

    record Stamp(Path path, FileTime modified, long size, Object fileKey) {
    }

    /** Stats every path (following symbolic links, so a re-pointed link is a change). Blocking. */
    static FileStamps of(List<Path> paths) {
        List<Stamp> stamps = new ArrayList<>(paths.size());
        for (Path path : paths) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                stamps.add(new Stamp(path, attributes.lastModifiedTime(), attributes.size(), attributes.fileKey()));
            } catch (IOException e) {
                stamps.add(new Stamp(path, FileTime.fromMillis(0), -1, null));
            }
        }
        return new FileStamps(List.copyOf(stamps));
    }
}
