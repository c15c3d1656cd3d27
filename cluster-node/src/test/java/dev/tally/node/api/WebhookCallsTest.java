package dev.tally.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How an org's own key sees its endpoints' URLs: nothing after the path. */
class WebhookCallsTest {

  @Test
  void whatFollowsTheUrlsPathIsHidden() {
    assertEquals("https://hooks.example/in", WebhookCalls.withoutQuery("https://hooks.example/in"));
    assertEquals("https://hooks.example/in?…", WebhookCalls.withoutQuery("https://hooks.example/in?token=abc"));
    assertEquals("https://hooks.example/in#…", WebhookCalls.withoutQuery("https://hooks.example/in#token=abc"));
    assertEquals("https://hooks.example/in?…", WebhookCalls.withoutQuery("https://hooks.example/in?a=1#b?c"));
    assertEquals("https://hooks.example/in#…", WebhookCalls.withoutQuery("https://hooks.example/in#b?c=1"));
    assertEquals("https://hooks.example/?…", WebhookCalls.withoutQuery("https://hooks.example/?"));
  }
}
