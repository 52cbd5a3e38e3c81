package dev.baton.lab;

/** A lab could not be built, used or removed; the message says which command or step failed and why. */
public class LabException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
