import { attempt, client, navigate } from "../app.js";
import { formValues, h } from "../dom.js";

export async function cohortsPage(main: HTMLElement): Promise<void> {
  const { cohorts } = await client.request("GET", "/api/cohorts?limit=100");
  main.append(
    h("h1", {}, "Your cohorts"),
    cohorts.length === 0
      ? h("p", { class: "muted" }, "You are in no cohort yet: a mentor adds you, or you create one.")
      : h(
          "ul",
          { class: "list", id: "cohorts" },
          ...cohorts.map((c) =>
            h("li", {}, h("a", { href: `/cohorts/${c.id}` }, c.name), h("span", { class: "muted" }, ` ${c.slug}`)),
          ),
        ),
  );
  if (client.user?.role === "mentor" || client.user?.role === "admin") {
    main.append(
      h(
        "form",
        {
          class: "card inline",
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const v = formValues(e.target as HTMLFormElement);
            const res = await attempt(() => client.request("POST", "/api/cohorts", { name: v.name, slug: v.slug }));
            if (res) navigate(`/cohorts/${res.cohort.id}`);
          },
        },
        h("h2", {}, "New cohort"),
        h("input", { name: "name", placeholder: "Name", required: true }),
        h("input", { name: "slug", placeholder: "slug", required: true, pattern: "[A-Za-z0-9._-]+" }),
        h("button", { type: "submit" }, "Create"),
      ),
    );
  }
}
