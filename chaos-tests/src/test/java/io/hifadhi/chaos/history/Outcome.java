package io.hifadhi.chaos.history;

/**
 * How an operation ended, as the client saw it. The distinction between FAILED and INDETERMINATE
 * matters only for mutations: a failed write was answered with an error, so it must never become
 * visible; an indeterminate one (timeout, connection cut after the request was sent) may or may not.
 */
public enum Outcome {
    OK, FAILED, INDETERMINATE
}
