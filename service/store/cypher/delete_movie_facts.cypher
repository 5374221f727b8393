// The credits and sequel links of these movies, removed before an import writes the dataset's own: a fact
// that an earlier import wrote and this dataset no longer states (a link file the check now refuses,
// ml.data.link_check) does not outlive it. People left without a credit go afterwards (delete_lone_people).
UNWIND $ids AS id
MATCH (m:Movie {id: id})-[fact:ACTED_IN|DIRECTED|WROTE|PRODUCED|SHOT|FOLLOWED_BY]-()
DELETE fact
